using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;

namespace MobZ.Aws.Tests.Signing;

/// <summary>Loads one case of AWS's aws4_testsuite: the raw request (.req) and the expected stages.</summary>
public sealed record AwsSigV4TestCase(
    string Name,
    SigV4Request Request,
    string ExpectedCanonicalRequest,
    string ExpectedStringToSign,
    string ExpectedAuthorization
)
{
    public static readonly AwsCredentials SuiteCredentials = new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    );
    public static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    public const string Region = "us-east-1";
    public const string Service = "service";

    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData", "aws4_testsuite");

    public static IEnumerable<string> AllNames() =>
        Directory
            .EnumerateFiles(Root, "*.req", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    public static AwsSigV4TestCase Load(string name)
    {
        var dir = Path.Combine(Root, name);
        var file = Path.GetFileName(name);
        string Read(string ext) => File.ReadAllText(Path.Combine(dir, $"{file}.{ext}")).Replace("\r\n", "\n");
        return new AwsSigV4TestCase(name, ParseRequest(Read("req")), Read("creq"), Read("sts"), Read("authz"));
    }

    /// <summary>Parses the suite's raw HTTP text: request line (the target may contain spaces), folded headers,
    /// body.</summary>
    public static SigV4Request ParseRequest(string text)
    {
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var body = headerEnd < 0 ? "" : text[(headerEnd + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ')];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var q = target.IndexOf('?');
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
                continue;
            if (line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + "\n" + line);
                continue;
            }
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }
        return new SigV4Request(
            method,
            q < 0 ? target : target[..q],
            q < 0 ? "" : target[q..],
            headers,
            SigV4Signer.HexSha256(System.Text.Encoding.UTF8.GetBytes(body))
        );
    }
}
