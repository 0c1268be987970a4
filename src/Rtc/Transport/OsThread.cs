using System.Runtime.InteropServices;

namespace MobZ.Rtc.Transport;

/// <summary>The kernel's id of the calling thread (Linux), so a thread's CPU time can be read from /proc.</summary>
internal static partial class OsThread
{
    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>0 where there is no such id to read (not Linux).</summary>
    public static int CurrentId() => OperatingSystem.IsLinux() ? GetTid() : 0;
}
