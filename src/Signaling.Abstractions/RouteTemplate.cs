namespace MobZ.Signaling.Abstractions;

/// <summary>Path templates of the REST handlers, as in their OpenAPI documents: "/api/instances/{id}".</summary>
public static class RouteTemplate
{
    /// <summary>True when <paramref name="path"/> has the template's segments, a "{name}" segment matching any
    /// value.</summary>
    public static bool Matches(string template, string path)
    {
        var t = template.Split('/');
        var p = path.Split('/');
        if (t.Length != p.Length)
            return false;
        for (var i = 0; i < t.Length; i++)
        {
            if (!t[i].StartsWith('{') && t[i] != p[i])
                return false;
        }

        return true;
    }
}
