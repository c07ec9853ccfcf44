namespace VoiceBridge.Server.Admission;

/// <summary>How refusals are answered; set by the cluster, not configured by hand.</summary>
internal sealed class AdmissionOptions
{
    /// <summary>
    /// Several instances behind a load balancer: a refused voice webhook answers 503 so the balancer retries another
    /// instance, instead of a busy message that sends the caller away. Alone, the busy message is the better answer.
    /// </summary>
    public bool RetryElsewhere { get; set; }
}
