namespace VoiceBridge.Server.Admission;

/// <summary>
/// A further condition for taking new calls, registered by the feature that owns it (the cluster: shared state
/// reachable). Asked on every admission after draining, the audit and the limit; <see cref="CallRefusal.None"/> admits.
/// Must answer from memory, at once (it runs on every webhook and upgrade).
/// </summary>
internal interface IAdmissionCheck
{
    CallRefusal Check();
}
