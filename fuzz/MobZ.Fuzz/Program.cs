using MobZ.Fuzz;
using SharpFuzz;

// MobZ.Fuzz <harness>                  under afl-fuzz: SharpFuzz's fork server feeds it inputs (scripts/fuzz.sh)
// MobZ.Fuzz <harness> <file|dir>...    replays inputs (a crash AFL++ found, or a corpus) and prints what each did
// MobZ.Fuzz --list                     the harness names
// MobZ.Fuzz --seed <corpus-dir>        writes the seed corpus from the product's own writers (fuzz/corpus)
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: MobZ.Fuzz <harness> [input file or folder...] | --list | --seed <corpus-dir>");
    Console.Error.WriteLine("harnesses: " + string.Join(", ", Harness.All.Select(h => h.Name)));
    return 2;
}

if (args[0] == "--list")
{
    foreach (Harness h in Harness.All)
        Console.WriteLine(h.Name);
    return 0;
}

if (args[0] == "--seed")
{
    if (args.Length != 2)
    {
        Console.Error.WriteLine("usage: MobZ.Fuzz --seed <corpus-dir>");
        return 2;
    }
    return SeedCorpus.Write(args[1]);
}

Harness? harness = Harness.Find(args[0]);
if (harness is null)
{
    Console.Error.WriteLine(
        $"unknown harness '{args[0]}'; harnesses: {string.Join(", ", Harness.All.Select(h => h.Name))}"
    );
    return 2;
}

if (args.Length == 1)
{
    Fuzzer.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        harness.Run(copy.ToArray());
    });
    return 0;
}

return Replay.Run(harness, args[1..]);
