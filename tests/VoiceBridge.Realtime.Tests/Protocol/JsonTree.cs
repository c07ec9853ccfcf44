using System.Text.Json;

namespace VoiceBridge.Realtime.Tests.Protocol;

/// <summary>Structural JSON equality: objects compare order-insensitively, numbers by value, null is not absent.</summary>
internal static class JsonTree
{
    public static bool Equal(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, out string difference)
    {
        using var a = JsonDocument.Parse(left.ToArray());
        using var b = JsonDocument.Parse(right.ToArray());
        difference = string.Empty;
        return Equal(a.RootElement, b.RootElement, "$", ref difference);
    }

    private static bool Equal(JsonElement a, JsonElement b, string path, ref string difference)
    {
        if (a.ValueKind != b.ValueKind)
        {
            difference = $"{path}: {a.ValueKind} vs {b.ValueKind}";
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var aProps = a.EnumerateObject().ToList();
                var bProps = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                if (aProps.Count != bProps.Count || aProps.Select(p => p.Name).Distinct().Count() != aProps.Count)
                {
                    difference = $"{path}: properties [{string.Join(',', aProps.Select(p => p.Name))}] vs [{string.Join(',', bProps.Keys)}]";
                    return false;
                }

                foreach (var p in aProps)
                {
                    if (!bProps.TryGetValue(p.Name, out var other))
                    {
                        difference = $"{path}.{p.Name}: missing";
                        return false;
                    }

                    if (!Equal(p.Value, other, path + "." + p.Name, ref difference))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                var aItems = a.EnumerateArray().ToList();
                var bItems = b.EnumerateArray().ToList();
                if (aItems.Count != bItems.Count)
                {
                    difference = $"{path}: {aItems.Count} vs {bItems.Count} items";
                    return false;
                }

                for (var i = 0; i < aItems.Count; i++)
                {
                    if (!Equal(aItems[i], bItems[i], $"{path}[{i}]", ref difference))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Number:
                if (a.GetDecimal() != b.GetDecimal())
                {
                    difference = $"{path}: {a} vs {b}";
                    return false;
                }

                return true;
            case JsonValueKind.String:
                if (a.GetString() != b.GetString())
                {
                    difference = $"{path}: '{a.GetString()}' vs '{b.GetString()}'";
                    return false;
                }

                return true;
            default:
                return true;
        }
    }
}
