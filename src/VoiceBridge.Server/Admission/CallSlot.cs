namespace VoiceBridge.Server.Admission;

/// <summary>One admitted call's place under the limit; disposing it (once) frees the place.</summary>
internal sealed class CallSlot(CallAdmission admission) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            admission.Release();
        }
    }
}
