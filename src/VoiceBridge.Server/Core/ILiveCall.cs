namespace VoiceBridge.Server.Core;

/// <summary>
/// What the registry, the control API, the operations feed and the shutdown drain need from a live call, whatever its
/// leg.
/// </summary>
internal interface ILiveCall
{
    /// <summary>The call's id: the CallSid of a phone call (null until <c>start</c> is accepted), the session id of a browser call.</summary>
    string? CallId { get; }

    /// <summary><c>twilio</c>, <c>browser</c>, ….</summary>
    string Transport { get; }

    /// <summary>Who called, when known (phone number from the call token); null for browser calls.</summary>
    string? Caller { get; }

    /// <summary>What the call is doing, for <c>GET /calls</c>: <c>starting</c>, <c>live</c>, <c>ending</c>, <c>transferring</c>, <c>transferred</c>.</summary>
    string State { get; }

    /// <summary>
    /// The call's observers as one: an observer that works a figure out (telemetry's first-audio latency per turn)
    /// reports it here so the others see it too. Set before the call starts; read it when reporting, not when made.
    /// </summary>
    ICallObserver Observers { get; }

    /// <summary>Counted drops and discards, per reason.</summary>
    CallCounters Counters { get; }

    /// <summary>The call's feature of this type (its call controller, say) once the upstream accepted the policy; null before or when it has none.</summary>
    T? Feature<T>()
        where T : class, ICallFeature;

    /// <summary>Records an operator's action on this call with every observer (the audit writes it with the admin key's id).</summary>
    void RecordControl(string action, string adminKeyId, string? detail);

    /// <summary>Ends the call from outside (operator hang-up, shutdown, the audit's budget); the first reason given wins.</summary>
    void Stop(CallEndReason reason, string detail);
}
