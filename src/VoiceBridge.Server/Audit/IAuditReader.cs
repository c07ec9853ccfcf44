namespace VoiceBridge.Server.Audit;

/// <summary>Reads a call's trail back from the configured sink, for the admin API.</summary>
internal interface IAuditReader
{
    /// <summary>The call's trail as written (JSON lines), or null when no trail has that call id.</summary>
    /// <remarks>The id must already be validated (<see cref="AuditTrailText.IsValidCallId"/>).</remarks>
    Task<byte[]?> ReadTrailAsync(string callId, CancellationToken cancellationToken);
}
