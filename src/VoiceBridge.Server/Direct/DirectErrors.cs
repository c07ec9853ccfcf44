using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Direct;

/// <summary>Error bodies in the API's shape (<c>{"error":{"type","code","message"}}</c>), as the browser WebSocket's are.</summary>
internal static class DirectErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(RealtimeErrorBody.Create(code, message), context.RequestAborted).AsTask();
    }
}
