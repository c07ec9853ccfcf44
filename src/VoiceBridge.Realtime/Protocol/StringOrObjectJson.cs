using System.Text.Json;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>Shared reading for the small string-or-object unions of the session object.</summary>
internal static class StringOrObjectJson
{
    /// <summary>Reads an object and returns one string property of it (other properties are skipped).</summary>
    public static string? ReadObjectProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> propertyName)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a string or an object.");
        }

        string? result = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(propertyName);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                result = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return result;
    }
}
