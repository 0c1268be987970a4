using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MobZ.Rtc.Srtp;

internal static class SrtpXor
{
    /// <summary>data ^= stream over data.Length bytes; stream must be at least as long.</summary>
    public static void Apply(Span<byte> data, ReadOnlySpan<byte> stream)
    {
        int length = data.Length;
        ref byte d = ref MemoryMarshal.GetReference(data);
        ref byte s = ref MemoryMarshal.GetReference(stream[..length]);
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; (int)i + 32 <= length; i += 32)
                (Vector256.LoadUnsafe(ref d, i) ^ Vector256.LoadUnsafe(ref s, i)).StoreUnsafe(ref d, i);
        }
        for (; (int)i + 8 <= length; i += 8)
        {
            ref byte target = ref Unsafe.Add(ref d, i);
            Unsafe.WriteUnaligned(
                ref target,
                Unsafe.ReadUnaligned<ulong>(ref target) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, i))
            );
        }
        for (; (int)i < length; i++)
            Unsafe.Add(ref d, i) ^= Unsafe.Add(ref s, i);
    }
}
