using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// Base of every Realtime JSON object we model. Fields we do not model land in <see cref="ExtensionData"/> and are
/// written back unchanged, so a parse → serialize round trip keeps what newer API versions add.
/// </summary>
public abstract record RealtimeJsonObject
{
    /// <summary>Fields of this object the bridge does not model, kept verbatim.</summary>
    [JsonExtensionData]
    // Settable, not init: the source generator binds init-only properties like constructor parameters, and an
    // extension-data property cannot be one.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2227:Collection properties should be read only", Justification = "JsonExtensionData needs a settable dictionary.")]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
