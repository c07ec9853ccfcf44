namespace VoiceBridge.Server.Ops;

/// <summary>One point of an instance's charts.</summary>
/// <param name="At">Unix milliseconds.</param>
/// <param name="Calls">Live calls now.</param>
/// <param name="CallsPerMinute">Calls started in the last minute.</param>
/// <param name="HopP99Ms">99th percentile of the bridge's own hop (a frame in → out), both directions, over the last 10 s; null: no audio.</param>
/// <param name="FirstAudioP50Ms">Median first-audio latency of turns over the last minute; null: no turn.</param>
/// <param name="FirstAudioP95Ms">95th percentile of the same.</param>
/// <param name="AuditBacklog">Audit records queued for the writer.</param>
/// <param name="Ready">Whether <c>/readyz</c> would answer 200 now.</param>
internal sealed record OpsSample(long At, int Calls, int CallsPerMinute, double? HopP99Ms, double? FirstAudioP50Ms, double? FirstAudioP95Ms, int AuditBacklog, bool Ready);
