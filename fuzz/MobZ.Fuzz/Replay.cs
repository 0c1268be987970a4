namespace MobZ.Fuzz;

/// <summary>Runs a harness on saved inputs outside AFL++, so a crash can be seen with its stack trace and
/// debugged.</summary>
internal static class Replay
{
    public static int Run(Harness harness, IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(
                    Directory
                        .GetFiles(path)
                        .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.txt")
                        .Order(StringComparer.Ordinal)
                );
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                Console.Error.WriteLine($"{path}: no such file or folder");
                return 2;
            }
        }

        int crashes = 0;
        foreach (string file in files)
        {
            try
            {
                harness.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok     {file}");
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"CRASH  {file}");
                Console.WriteLine(e);
            }
        }
        Console.WriteLine($"{harness.Name}: {files.Count} inputs, {crashes} crashed");
        return crashes == 0 ? 0 : 1;
    }
}
