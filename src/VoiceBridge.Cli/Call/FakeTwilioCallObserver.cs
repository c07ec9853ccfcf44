namespace VoiceBridge.Cli.Call;

/// <summary>
/// Optional hooks into a <see cref="FakeTwilioCall"/> for the load tool: it timestamps frames as they leave and
/// arrive, and holds the call at two points (after <c>start</c>, and before hanging up) to pair the call with its
/// upstream session and to let in-flight audio land. Every method runs on the call's own loops: the per-frame ones
/// must be cheap and must not allocate. The defaults do nothing.
/// </summary>
public abstract class FakeTwilioCallObserver
{
    /// <summary>Awaited once <c>start</c> has been sent, before the first media frame.</summary>
    public virtual ValueTask AfterStartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Media frame <paramref name="frame"/> (0-based) is about to be handed to the socket.</summary>
    public virtual void OnMediaSending(long frame)
    {
    }

    /// <summary>A media message arrived from the bridge.</summary>
    public virtual void OnMediaReceived(int bytes)
    {
    }

    /// <summary>A mark arrived from the bridge.</summary>
    public virtual void OnMarkReceived()
    {
    }

    /// <summary>A clear arrived from the bridge.</summary>
    public virtual void OnClearReceived()
    {
    }

    /// <summary>Awaited after the last media frame, before <c>stop</c> and the close.</summary>
    public virtual ValueTask BeforeHangUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
