namespace MobZ.Rtc.Tests.Fuzz;

/// <summary>Seeded input generators: every truncation, bit flips, byte overwrites and random bytes.</summary>
internal static class Mutations
{
    public static IEnumerable<byte[]> Of(IEnumerable<byte[]> seeds, int seed, int mutationsPerSeed = 2000, int randomInputs = 3000, int maxRandomLength = 300, byte[]? firstBytes = null)
    {
        var random = new Random(seed);
        foreach (byte[] valid in seeds)
        {
            for (int length = 0; length <= valid.Length; length++)
            {
                yield return valid[..length];
            }

            for (int i = 0; i < mutationsPerSeed; i++)
            {
                byte[] copy = (byte[])valid.Clone();
                int edits = random.Next(1, 4);
                for (int e = 0; e < edits && copy.Length > 0; e++)
                {
                    int at = random.Next(copy.Length);
                    if (random.Next(2) == 0)
                    {
                        copy[at] ^= (byte)(1 << random.Next(8));
                    }
                    else
                    {
                        copy[at] = (byte)random.Next(256);
                    }
                }

                // Sometimes also cut the mutated packet short, so length fields disagree with the buffer.
                yield return random.Next(4) == 0 && copy.Length > 0 ? copy[..random.Next(copy.Length)] : copy;
            }
        }

        for (int i = 0; i < randomInputs; i++)
        {
            byte[] bytes = new byte[random.Next(maxRandomLength)];
            random.NextBytes(bytes);
            if (firstBytes is not null && bytes.Length > 0)
            {
                bytes[0] = firstBytes[random.Next(firstBytes.Length)];
            }

            yield return bytes;
        }
    }
}
