using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>Reads and writes <see cref="JsonOptional{T}"/> through the source-generated metadata of <typeparamref name="T"/>.</summary>
internal sealed class JsonOptionalConverter<T> : JsonConverter<JsonOptional<T>>
    where T : class
{
    public override bool HandleNull => true;

    public override JsonOptional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new JsonOptional<T>(null);
        }

        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        return new JsonOptional<T>(JsonSerializer.Deserialize(ref reader, typeInfo));
    }

    public override void Write(Utf8JsonWriter writer, JsonOptional<T> value, JsonSerializerOptions options)
    {
        if (value.Value is null)
        {
            writer.WriteNullValue();
            return;
        }

        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        JsonSerializer.Serialize(writer, value.Value, typeInfo);
    }
}
