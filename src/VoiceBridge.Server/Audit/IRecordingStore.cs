namespace VoiceBridge.Server.Audit;

/// <summary>
/// Where call recordings (stereo WAV) are kept: files beside the trails under <c>Audit:Directory</c> (the default), or
/// PostgreSQL in chunks (<c>Audit:Recordings=Postgres</c>; the cluster's default with the Postgres sink), so any
/// instance can serve any call's recording.
/// </summary>
internal interface IRecordingStore
{
    /// <summary>
    /// A new recording of <paramref name="callId"/>: the stream the WAV is written to (by the recording's own writer
    /// task, never a call's loop) and the name the trail records; null with <paramref name="error"/> when none opens.
    /// </summary>
    RecordingTarget? Create(string callId, out string? error);

    /// <summary>The recording the trail names, or null when this store has none by that name.</summary>
    Task<RecordingContent?> OpenAsync(string name, CancellationToken cancellationToken);
}
