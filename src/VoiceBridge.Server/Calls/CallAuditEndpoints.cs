using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The audit read-back under <c>/calls/{id}</c> (behind the admin key): the trail as stored, the transcript as heard,
/// the recording. Live and finished calls alike; an id that is not a possible call id is refused before any lookup.
/// </summary>
internal static class CallAuditEndpoints
{
    /// <summary>Newline-delimited JSON: one audit line per line, exactly as chained (so it can be verified as is).</summary>
    public const string JsonLinesContentType = "application/x-ndjson";

    public static RouteGroupBuilder MapCallAudit(this RouteGroupBuilder calls)
    {
        calls.MapGet("/{id}/audit", GetAuditAsync);
        calls.MapGet("/{id}/transcript", GetTranscriptAsync);
        calls.MapGet("/{id}/recording", GetRecordingAsync);
        return calls;
    }

    internal static async Task<IResult> GetAuditAsync(string id, IAuditReader reader, CancellationToken cancellationToken)
    {
        if (!AuditTrailText.IsValidCallId(id))
        {
            return InvalidId();
        }

        return await reader.ReadTrailAsync(id, cancellationToken) is { } trail
            ? Results.Bytes(trail, JsonLinesContentType)
            : UnknownCall();
    }

    // Only what the caller heard, unless ?unheard=true asks for the cut-off words too (labelled never_heard).
    internal static async Task<IResult> GetTranscriptAsync(string id, bool? unheard, IAuditReader reader, IOptions<AuditOptions> options, CancellationToken cancellationToken)
    {
        if (!AuditTrailText.IsValidCallId(id))
        {
            return InvalidId();
        }

        return await reader.ReadTrailAsync(id, cancellationToken) is { } trail
            ? Results.Json(AuditTrailText.Transcript(id, trail, options.Value.VerificationKeys(), unheard == true), AuditJsonContext.Default.CallTranscript)
            : UnknownCall();
    }

    internal static async Task<IResult> GetRecordingAsync(string id, IAuditReader reader, IRecordingStore recordings, IOptions<AuditOptions> options, CancellationToken cancellationToken)
    {
        if (!AuditTrailText.IsValidCallId(id))
        {
            return InvalidId();
        }

        if (await reader.ReadTrailAsync(id, cancellationToken) is not { } trail)
        {
            return UnknownCall();
        }

        // The name comes from the verified trail; the store resolves it (a file inside Audit:Directory, or PostgreSQL's rows).
        var name = AuditTrailText.Recording(trail, options.Value.VerificationKeys());
        return (name is null ? null : await recordings.OpenAsync(name, cancellationToken)) switch
        {
            { Path: { } path } => Results.File(path, "audio/wav", enableRangeProcessing: true),
            { Bytes: { } bytes } => Results.Bytes(bytes, "audio/wav", enableRangeProcessing: true),
            _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "This call has no recording here."),
        };
    }

    private static IResult InvalidId() =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A call id has letters, digits, '-' and '_' only.");

    private static IResult UnknownCall() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No audit trail for this call.");
}
