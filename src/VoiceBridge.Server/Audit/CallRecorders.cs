using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Sessions;

namespace VoiceBridge.Server.Audit;

/// <summary>Makes the per-call <see cref="CallRecorder"/> the call endpoints hand to their sessions.</summary>
internal sealed class CallRecorders(IAuditTrail trail, IOptions<AuditOptions> options, TimeProvider time, ILogger<CallRecorder> logger)
{
    public CallRecorder ForTwilio(SessionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(trail, options.Value, time, logger, AuditFormat.TwilioTransport, policy.PassthroughMulaw ? "pcmu" : "pcm24k");
    }

    /// <summary>A browser leg always speaks PCM 24 kHz to the upstream.</summary>
    public CallRecorder ForBrowser() => new(trail, options.Value, time, logger, AuditFormat.BrowserTransport, "pcm24k");

    /// <summary>The server policy a phone call runs with, as its <c>bridge.policy</c> record.</summary>
    public static BridgeDecision PolicyOf(SessionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new BridgeDecision
        {
            Model = policy.Model,
            AudioFormat = policy.PassthroughMulaw ? "pcmu" : "pcm24k",
            TranscriptionModel = policy.TranscriptionModel,
            TurnDetection = policy.TurnDetection?.Type ?? "none",
        };
    }

    /// <summary>A browser call's policy record: the full effective session is the audited session.update that follows.</summary>
    public static BridgeDecision BrowserPolicy(int inputRate, int outputRate) => new()
    {
        AudioFormat = "pcm24k",
        Detail = $"client PCM in {inputRate} Hz, out {outputRate} Hz; session fields outside Browser:ClientMayChange are removed",
    };
}
