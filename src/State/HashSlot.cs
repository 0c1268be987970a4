using System.Text;

namespace MobZ.State;

/// <summary>
/// Redis Cluster's key → slot map (CRC16/XMODEM of the key modulo 16384). When the key holds a non-empty
/// <c>{hash tag}</c> — the text between its first '{' and the first '}' after it — only the tag is hashed, so
/// <c>{room:r1}:publishers</c> and <c>{room:r1}:viewers</c> land in the same slot, on the same master.
/// A transaction or a multi-key call on a cluster must keep all its keys in one slot.
/// </summary>
public static class HashSlot
{
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The slot of <paramref name="key"/> as Redis Cluster computes it over its UTF-8 bytes.</summary>
    public static int Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> bytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        return Of(bytes[..length]);
    }

    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                key = key.Slice(open + 1, close);
            }
        }

        ushort crc = 0;
        foreach (var b in key)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc & (Count - 1);
    }

    /// <summary>
    /// Throws when <paramref name="keys"/> (each stored as <paramref name="prefix"/> + key) are not all in one
    /// slot, naming each key with its slot: what Redis Cluster would refuse as CROSSSLOT, said in the caller's
    /// terms.
    /// </summary>
    internal static void EnsureOne(string prefix, IEnumerable<string> keys, string what)
    {
        string? first = null;
        var firstSlot = -1;
        List<(string Key, int Slot)>? spread = null;
        foreach (var key in keys)
        {
            var slot = Of(prefix + key);
            if (first is null)
            {
                (first, firstSlot) = (key, slot);
            }
            else if (slot != firstSlot)
            {
                spread ??= [(first, firstSlot)];
                if (!spread.Exists(s => s.Key == key))
                {
                    spread.Add((key, slot));
                }
            }
        }

        if (spread is not null)
        {
            var named = string.Join(", ", spread.Select(s => $"'{s.Key}' (slot {s.Slot})"));
            throw new InvalidOperationException(
                $"{what} touches keys in different hash slots, which a Redis Cluster refuses (CROSSSLOT): {named}. "
                    + "Give the keys one {hash tag}, e.g. '{room:r1}:publishers' and '{room:r1}:viewers'."
            );
        }
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
