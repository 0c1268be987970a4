using System.Text.Json;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// API Gateway's route selection expression for WebSocket APIs: <c>$request.body.action</c> (or the
/// <c>${request.body.action}</c> form), a dotted path into the JSON message body. The selected string is the
/// route key when the API defines it (or defines no list); anything else — non-JSON, a missing field, a
/// non-string value, a reserved $ key — routes to $default, as on AWS.
/// </summary>
public sealed class RouteSelectionExpression
{
    private const string BodyPrefix = "request.body.";
    private readonly string[] _path;

    public string Expression { get; }

    private RouteSelectionExpression(string expression, string[] path)
    {
        Expression = expression;
        _path = path;
    }

    public static RouteSelectionExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var inner = expression.Trim();
        if (inner.StartsWith("${", StringComparison.Ordinal) && inner.EndsWith('}'))
        {
            inner = inner[2..^1];
        }
        else if (inner.StartsWith('$'))
        {
            inner = inner[1..];
        }
        else
        {
            throw new ArgumentException(
                $"Route selection expression '{expression}' must look like $request.body.<field>.",
                nameof(expression)
            );
        }

        if (!inner.StartsWith(BodyPrefix, StringComparison.Ordinal) || inner.Length == BodyPrefix.Length)
        {
            throw new ArgumentException(
                $"Route selection expression '{expression}' must select a body field: $request.body.<field>[.<field>...].",
                nameof(expression)
            );
        }

        var path = inner[BodyPrefix.Length..].Split('.');
        if (path.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException(
                $"Route selection expression '{expression}' has an empty field name.",
                nameof(expression)
            );
        }

        return new RouteSelectionExpression(expression, path);
    }

    /// <param name="routes">Custom route keys of the API; null accepts any selected value.</param>
    public string SelectRoute(ReadOnlySpan<byte> utf8Body, IReadOnlyCollection<string>? routes)
    {
        var selected = TrySelect(utf8Body);
        if (selected is null || selected.Length == 0 || selected.StartsWith('$'))
            return RouteKeys.Default;
        return routes is null || routes.Contains(selected) ? selected : RouteKeys.Default;
    }

    private string? TrySelect(ReadOnlySpan<byte> utf8Body)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Body, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            var element = document.RootElement;
            foreach (var name in _path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                    return null;
            }
            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not Unicode (a lone surrogate escape such as "\udc00").
            return null;
        }
    }
}
