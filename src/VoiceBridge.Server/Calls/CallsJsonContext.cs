using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace VoiceBridge.Server.Calls;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LiveCallSummary>))]
[JsonSerializable(typeof(InstructionsRequest))]
[JsonSerializable(typeof(SayRequest))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(OutboundRequest))]
[JsonSerializable(typeof(ControlResult))]
[JsonSerializable(typeof(OutboundResult))]
// The admin API's errors are RFC 7807 problem details (Results.Problem); reflection-based JSON is off in the app.
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class CallsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// For the admin API's responses. The default encoder escapes HTML-sensitive characters, so a caller's number read
    /// "\u002B1415…"; these bodies are application/json, never embedded in a page, so only what JSON itself requires is
    /// escaped. The same options as the attribute above otherwise.
    /// </summary>
    public static CallsJsonContext Responses { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
