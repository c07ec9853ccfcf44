using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// File sink: <c>Audit:Directory</c> is created when missing and must be writable by this process, checked at start-up
/// with a probe file. Without it a server that cannot write there (a container's read-only application directory) starts,
/// answers /healthz, and fails its first call: the recording cannot be opened and the audit sink reports failing.
/// </summary>
internal sealed class AuditDirectoryValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sink != AuditSinkKind.File || string.IsNullOrWhiteSpace(options.Directory))
        {
            return ValidateOptionsResult.Skip;
        }

        var directory = Path.GetFullPath(options.Directory);
        try
        {
            Directory.CreateDirectory(directory);
            // A name of its own per probe: several hosts in one process (or two processes sharing the directory)
            // validate at the same moment, and a shared name would make one probe fail on the other's open file.
            var probe = Path.Combine(directory, $".write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }

            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail(
                $"Audit:Directory '{directory}' cannot be written by this process ({ex.Message}). Point Audit:Directory "
                + "(environment variable Audit__Directory) at a directory this user may write; the container image uses /data/audit.");
        }
    }
}
