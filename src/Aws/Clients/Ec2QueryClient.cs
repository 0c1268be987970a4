using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace MobZ.Aws.Clients;

/// <summary>
/// The EC2 Query API: POST / with a form body <c>Action=...&amp;Version=2016-11-15&amp;...</c>, SigV4-signed
/// (service "ec2"); answers are XML in the 2016-11-15 namespace, errors are
/// <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;</c>.
/// </summary>
public sealed class Ec2QueryClient(SignedRequestSender sender, Uri endpoint)
{
    public const string ApiVersion = "2016-11-15";
    public static readonly XNamespace Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /// <summary>Sends one action; parameters use the Query API's flattened names ("NetworkInterfaceId.1").</summary>
    public async Task<XDocument> SendAsync(
        string action,
        IEnumerable<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken = default
    )
    {
        var form = new StringBuilder("Action=")
            .Append(Uri.EscapeDataString(action))
            .Append("&Version=")
            .Append(ApiVersion);
        foreach (var (name, value) in parameters)
            form.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        var body = Encoding.UTF8.GetBytes(form.ToString());

        using var response = await sender
            .SendAsync(
                () =>
                {
                    var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
                    {
                        Content = new ByteArrayContent(body),
                    };
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(
                        "application/x-www-form-urlencoded; charset=utf-8"
                    );
                    return message;
                },
                async r =>
                    (await ReadErrorAsync(r, cancellationToken).ConfigureAwait(false)).ErrorCode
                        is "RequestLimitExceeded"
                            or "Throttling",
                cancellationToken
            )
            .ConfigureAwait(false);

        if (!response.IsSuccessStatusCode)
            throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await XDocument.LoadAsync(stream, LoadOptions.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DescribeNetworkInterfaces for the given ids: each interface's private and (if associated) public IPv4
    /// address.</summary>
    public async Task<IReadOnlyList<NetworkInterfaceAddresses>> DescribeNetworkInterfacesAsync(
        IEnumerable<string> networkInterfaceIds,
        CancellationToken cancellationToken = default
    )
    {
        var parameters = networkInterfaceIds
            .Select((id, i) => new KeyValuePair<string, string>($"NetworkInterfaceId.{i + 1}", id))
            .ToList();
        var document = await SendAsync("DescribeNetworkInterfaces", parameters, cancellationToken)
            .ConfigureAwait(false);
        return ParseNetworkInterfaces(document);
    }

    public static IReadOnlyList<NetworkInterfaceAddresses> ParseNetworkInterfaces(XDocument document) =>
        [
            .. document
                .Root?.Element(Namespace + "networkInterfaceSet")
                ?.Elements(Namespace + "item")
                .Select(item => new NetworkInterfaceAddresses(
                    (string?)item.Element(Namespace + "networkInterfaceId") ?? "",
                    (string?)item.Element(Namespace + "privateIpAddress"),
                    (string?)item.Element(Namespace + "association")?.Element(Namespace + "publicIp")
                ))
                ?? [],
        ];

    /// <summary>DescribeInstances for the given ids: each instance's private and (if it has one) public IPv4
    /// address.</summary>
    public async Task<IReadOnlyList<InstanceAddresses>> DescribeInstancesAsync(
        IEnumerable<string> instanceIds,
        CancellationToken cancellationToken = default
    )
    {
        var parameters = instanceIds
            .Select((id, i) => new KeyValuePair<string, string>($"InstanceId.{i + 1}", id))
            .ToList();
        var document = await SendAsync("DescribeInstances", parameters, cancellationToken).ConfigureAwait(false);
        return ParseInstances(document);
    }

    // DescribeInstancesResponse/reservationSet/item/instancesSet/item/{instanceId, privateIpAddress, ipAddress}.
    public static IReadOnlyList<InstanceAddresses> ParseInstances(XDocument document) =>
        [
            .. document
                .Root?.Element(Namespace + "reservationSet")
                ?.Elements(Namespace + "item")
                .SelectMany(r => r.Element(Namespace + "instancesSet")?.Elements(Namespace + "item") ?? [])
                .Select(item => new InstanceAddresses(
                    (string?)item.Element(Namespace + "instanceId") ?? "",
                    (string?)item.Element(Namespace + "privateIpAddress"),
                    (string?)item.Element(Namespace + "ipAddress")
                ))
                ?? [],
        ];

    internal static async Task<AwsServiceException> ReadErrorAsync(
        HttpResponseMessage response,
        CancellationToken cancellationToken
    )
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var root = XDocument.Parse(text).Root;
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            var requestId = root
                ?.Descendants()
                .FirstOrDefault(e => e.Name.LocalName is "RequestID" or "RequestId")
                ?.Value;
            return new AwsServiceException(
                code ?? $"Http{(int)response.StatusCode}",
                message ?? "",
                (int)response.StatusCode,
                requestId
            );
        }
        catch (System.Xml.XmlException)
        {
            return new AwsServiceException(
                $"Http{(int)response.StatusCode}",
                text.Length > 200 ? text[..200] : text,
                (int)response.StatusCode
            );
        }
    }
}

public sealed record NetworkInterfaceAddresses(string NetworkInterfaceId, string? PrivateIpAddress, string? PublicIp);

public sealed record InstanceAddresses(string InstanceId, string? PrivateIpAddress, string? PublicIp);
