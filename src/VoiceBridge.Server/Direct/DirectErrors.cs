using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Server.Direct;

/// <summary>Error bodies in the API's shape (<c>{"error":{"type","code","message"}}</c>), as the browser WebSocket's are.</summary>
internal static class DirectErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("type", "invalid_request_error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).AsTask();
    }
}
