using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>Reads and writes the string-or-object union of <c>voice</c>.</summary>
internal sealed class RealtimeVoiceConverter : JsonConverter<RealtimeVoice>
{
    public override RealtimeVoice? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new RealtimeVoice { Name = reader.GetString() };
        }

        return new RealtimeVoice { Id = StringOrObjectJson.ReadObjectProperty(ref reader, "id"u8) };
    }

    public override void Write(Utf8JsonWriter writer, RealtimeVoice value, JsonSerializerOptions options)
    {
        if (value.Id is null)
        {
            writer.WriteStringValue(value.Name);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("id"u8, value.Id);
        writer.WriteEndObject();
    }
}
