using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>One function call of the model, arguments already validated against the tool's schema.</summary>
/// <param name="CallId">The function call's <c>call_id</c>.</param>
/// <param name="Name">The tool name.</param>
/// <param name="Arguments">The parsed arguments (a JSON object).</param>
/// <param name="LiveCallId">The live call it belongs to (CallSid or browser session id).</param>
/// <param name="Transport"><c>twilio</c> or <c>browser</c>.</param>
internal sealed record ToolCall(string CallId, string Name, JsonElement Arguments, string LiveCallId, string Transport);
