using System.Runtime.CompilerServices;

namespace VoiceBridge.Tests.Shared;

/// <summary>
/// Compiled into each test project that hosts the server (linked from tests/Shared), so each test process gets its own.
/// Every server this test process hosts writes its audit trails and recordings to one temporary directory (never into
/// the source tree, where Audit:Directory's default "audit" would put them), deleted when the process exits. Set as
/// the environment variable the host's configuration reads, before any test builds a host; a test that needs its own
/// directory sets Audit:Directory itself. Likewise every server seals its trails with <see cref="SigningKey"/>.
/// </summary>
internal static class TestAuditDirectory
{
    public static string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "voicebridge-test-audit-" + Environment.ProcessId);

    /// <summary>
    /// The Audit:SigningKey every hosted server of this test process seals with (required outside Development, and
    /// several tests boot in Production). Random per process: a test verifies trails with <see cref="Keys"/>.
    /// </summary>
    public static string SigningKey { get; } = VoiceBridge.Realtime.Audit.AuditSigningKey.NewBase64();

    /// <summary><see cref="SigningKey"/> parsed, for <c>AuditVerifier.Verify(trail, TestAuditDirectory.Keys)</c>.</summary>
    public static IReadOnlyList<VoiceBridge.Realtime.Audit.AuditSigningKey> Keys { get; } =
        VoiceBridge.Realtime.Audit.AuditSigningKey.TryParse(SigningKey, out var key, out _) ? [key!] : [];

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Test-process setup: must run before any host is built.")]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("Audit__Directory", Path);
        Environment.SetEnvironmentVariable("Audit__SigningKey", SigningKey);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: true);
                }
            }
            catch (IOException)
            {
                // A file still open at exit: the OS temp cleanup takes it.
            }
        };
    }
}
