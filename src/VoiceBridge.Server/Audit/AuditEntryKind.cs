namespace VoiceBridge.Server.Audit;

internal enum AuditEntryKind
{
    Header,
    Record,
    Audio,
    Close,
}
