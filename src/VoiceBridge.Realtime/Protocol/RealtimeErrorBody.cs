using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// An HTTP error body in the Realtime API's shape, <c>{"error":{"type","code","message"}}</c>: what the bridge's calls
/// endpoints and the simulator's answer, so a client reads both the same way.
/// </summary>
public static class RealtimeErrorBody
{
    public static ReadOnlyMemory<byte> Create(string code, string message, string type = "invalid_request_error")
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("type", type);
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return output.WrittenMemory;
    }
}
