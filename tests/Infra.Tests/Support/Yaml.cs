namespace MobZ.Infra.Tests.Support;

/// <summary>Just enough of CloudFormation YAML (block style, CloudFormation tags) to check one mapping's
/// text.</summary>
public static class Yaml
{
    /// <summary>The line that starts with <paramref name="key"/> and every deeper-indented line after it.</summary>
    public static string Block(string text, string key)
    {
        if (!key.EndsWith(':'))
            key += ":";
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimStart().StartsWith(key, StringComparison.Ordinal));
        if (start < 0)
            throw new Xunit.Sdk.XunitException($"no '{key}' in the template");
        var indent = lines[start].Length - lines[start].TrimStart().Length;
        var end = start + 1;
        while (
            end < lines.Length
            && (lines[end].Trim().Length == 0 || lines[end].Length - lines[end].TrimStart().Length > indent)
        )
        {
            end++;
        }

        return string.Join('\n', lines[start..end]);
    }
}
