using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Browser;

/// <summary>OpenAI's HTTP error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed record HttpErrorBody(RealtimeErrorDetail Error);
