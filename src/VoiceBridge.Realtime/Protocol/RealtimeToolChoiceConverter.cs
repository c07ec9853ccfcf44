using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>Reads and writes the string-or-object union of <c>tool_choice</c>.</summary>
internal sealed class RealtimeToolChoiceConverter : JsonConverter<RealtimeToolChoice>
{
    public override RealtimeToolChoice? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new RealtimeToolChoice { Mode = reader.GetString() };
        }

        return new RealtimeToolChoice { FunctionName = StringOrObjectJson.ReadObjectProperty(ref reader, "name"u8) };
    }

    public override void Write(Utf8JsonWriter writer, RealtimeToolChoice value, JsonSerializerOptions options)
    {
        if (value.FunctionName is null)
        {
            writer.WriteStringValue(value.Mode);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "function"u8);
        writer.WriteString("name"u8, value.FunctionName);
        writer.WriteEndObject();
    }
}
