namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// A field where "absent" and "null" mean different things. In <c>session.update</c> an absent
/// <c>turn_detection</c> keeps the current VAD while <c>"turn_detection": null</c> turns it off
/// (docs/protocols/openai-realtime.md#turn-detection), so a plain nullable cannot carry it. <c>default</c> is absent
/// (not written); a present null is written as <c>null</c>.
/// </summary>
public readonly record struct JsonOptional<T>
    where T : class
{
    public JsonOptional(T? value)
    {
        Value = value;
        IsPresent = true;
    }

    /// <summary>The field was present (possibly as null).</summary>
    public bool IsPresent { get; }

    /// <summary>The value; null when absent or explicitly null.</summary>
    public T? Value { get; }

    // CA2225 wants a named alternative; that is the constructor (a static factory on a generic type trips CA1000).
#pragma warning disable CA2225
    public static implicit operator JsonOptional<T>(T? value) => new(value);
#pragma warning restore CA2225
}
