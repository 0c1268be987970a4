using System.Globalization;
using System.Runtime.InteropServices;

namespace MobZ.LoadTool;

/// <summary>CPU time of one OS thread (Linux /proc), to charge the Munit's receive thread alone, not the load
/// clients.</summary>
internal static partial class ThreadCpu
{
    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    public static int CurrentThreadId() => GetTid();

    /// <summary>The id of this process's thread named <paramref name="name"/> (as the kernel shows it, at most 15
    /// characters), or null.</summary>
    public static int? FindByName(string name)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                return int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
        }
        return null;
    }

    public static TimeSpan Of(int tid)
    {
        // Fields 14 and 15 of /proc/self/task/<tid>/stat: utime and stime in clock ticks (USER_HZ = 100).
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks =
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
