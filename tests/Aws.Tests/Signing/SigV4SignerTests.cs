using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;

namespace MobZ.Aws.Tests.Signing;

public sealed class SigV4SignerTests
{
    /// <summary>get-vanilla-with-session-token signs the token as a header the .req file does not show.</summary>
    private const string SuiteSessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

    public static TheoryData<string> SuiteCases() => new(AwsSigV4TestCase.AllNames());

    [Fact]
    public void Suite_contains_the_cases_the_gateway_client_relies_on()
    {
        var names = AwsSigV4TestCase.AllNames().ToList();
        foreach (
            var required in new[]
            {
                "get-vanilla",
                "get-vanilla-query",
                "get-vanilla-query-order-key-case",
                "get-header-value-trim",
                "post-vanilla",
                "post-x-www-form-urlencoded",
                "post-sts-token/post-sts-header-before",
                "post-sts-token/post-sts-header-after",
                "normalize-path/get-space",
                "get-utf8",
                "normalize-path/get-relative-relative",
                "normalize-path/get-slashes",
            }
        )
        {
            Assert.Contains(required, names);
        }
    }

    [Theory]
    [MemberData(nameof(SuiteCases))]
    public void Signer_reproduces_canonical_request_string_to_sign_and_authorization_of_aws_suite_case(string name)
    {
        var testCase = AwsSigV4TestCase.Load(name);
        var request = testCase.Request;
        if (name.EndsWith("get-vanilla-with-session-token", StringComparison.Ordinal))
            request = request with { Headers = [.. request.Headers, new("X-Amz-Security-Token", SuiteSessionToken)] };

        var signature = SigV4Signer.Sign(
            request,
            AwsSigV4TestCase.SuiteCredentials,
            AwsSigV4TestCase.Region,
            AwsSigV4TestCase.Service,
            AwsSigV4TestCase.SuiteTime
        );

        Assert.Equal(testCase.ExpectedCanonicalRequest, signature.CanonicalRequest);
        Assert.Equal(testCase.ExpectedStringToSign, signature.StringToSign);
        Assert.Equal(testCase.ExpectedAuthorization, signature.Authorization);
    }

    [Fact]
    public async Task SignAsync_on_http_request_matches_suite_post_sts_header_before()
    {
        // The same request as the suite's post-sts-header-before, built as HttpClient would send it.
        const string token =
            "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
        var expected = AwsSigV4TestCase.Load("post-sts-token/post-sts-header-before");
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/");
        var credentials = AwsSigV4TestCase.SuiteCredentials with { SessionToken = token };

        var signature = await SigV4Signer.SignAsync(
            message,
            credentials,
            AwsSigV4TestCase.Region,
            AwsSigV4TestCase.Service,
            AwsSigV4TestCase.SuiteTime
        );

        Assert.Equal(expected.ExpectedCanonicalRequest, signature.CanonicalRequest);
        Assert.Equal(expected.ExpectedAuthorization, message.Headers.GetValues("Authorization").Single());
        Assert.Equal(token, message.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Equal("20150830T123600Z", message.Headers.GetValues("X-Amz-Date").Single());
    }

    [Theory]
    [InlineData("/prod/@connections/L0SM9cOFvHcCIhw%3D", "/prod/%40connections/L0SM9cOFvHcCIhw%253D")]
    [InlineData("/a b/c", "/a%20b/c")]
    [InlineData("/x/./y/../z//", "/x/z/")]
    [InlineData("", "/")]
    public void Canonical_uri_encodes_the_wire_path_again_and_normalizes_it(string raw, string expected) =>
        Assert.Equal(expected, SigV4Canonical.Uri(raw));

    [Theory]
    [InlineData("?b=2&a=1&a=0", "a=0&a=1&b=2")]
    [InlineData("x=a%2Bb&y=c d", "x=a%2Bb&y=c%20d")]
    [InlineData("?", "")]
    [InlineData(
        "Action=DescribeNetworkInterfaces&Version=2016-11-15",
        "Action=DescribeNetworkInterfaces&Version=2016-11-15"
    )]
    public void Canonical_query_is_decoded_reencoded_and_sorted(string raw, string expected) =>
        Assert.Equal(expected, SigV4Canonical.Query(raw));

    [Fact]
    public void Authorization_header_round_trips_through_parser()
    {
        var testCase = AwsSigV4TestCase.Load("get-vanilla");
        Assert.True(SigV4Authorization.TryParse(testCase.ExpectedAuthorization, out var parsed));
        Assert.Equal("AKIDEXAMPLE", parsed!.AccessKeyId);
        Assert.Equal("20150830", parsed.Date);
        Assert.Equal("us-east-1", parsed.Region);
        Assert.Equal("service", parsed.Service);
        Assert.Equal(["host", "x-amz-date"], parsed.SignedHeaders);
        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", parsed.Signature);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AWS4-HMAC-SHA256")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, SignedHeaders=host, Signature=ab")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host")]
    [InlineData("Bearer abc")]
    public void Authorization_parser_rejects_malformed_headers(string? header) =>
        Assert.False(SigV4Authorization.TryParse(header, out _));

    [Fact]
    public void Authorization_parser_survives_random_input()
    {
        var random = new Random(4711);
        var valid = AwsSigV4TestCase.Load("get-vanilla").ExpectedAuthorization;
        for (var i = 0; i < 2000; i++)
        {
            var chars = valid.ToCharArray();
            var cut = random.Next(chars.Length + 1);
            for (var j = 0; j < 3; j++)
                chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
            _ = SigV4Authorization.TryParse(new string(chars, 0, cut), out _);
        }
    }
}
