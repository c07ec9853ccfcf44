using System.Diagnostics;
using System.Reflection;

namespace VoiceBridge.EndToEnd.Tests.Deployment;

/// <summary>
/// The server as the image holds it: the output of <c>dotnet publish</c> in a directory owned by root that nobody may
/// write (the image's <c>/app</c>), beside a data directory owned by the unprivileged user the server runs as (the
/// image's <c>/data</c>). Published once per test class, on first use, from the build these tests already made
/// (<c>--no-build</c>, the tests' own configuration); <c>VOICEBRIDGE_PUBLISHED_SERVER</c> names an existing publish
/// output to copy instead.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PublishedServer : IAsyncLifetime
{
    /// <summary>The user the server runs as: <c>nobody</c> on Debian (the image's APP_UID plays this part).</summary>
    public const int Uid = 65534;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _root;

    /// <summary>The read-only application directory (holds VoiceBridge.Server.dll).</summary>
    public string AppDirectory => Path.Combine(_root!, "app");

    /// <summary>Publishes (once) and returns the application directory.</summary>
    public async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_root is not null)
            {
                return AppDirectory;
            }

            var root = Directory.CreateTempSubdirectory("voicebridge-published-").FullName;
            // Others must be able to reach the app directory below it (CreateTempSubdirectory makes it 0700).
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            _root = root;
            var app = AppDirectory;
            if (Environment.GetEnvironmentVariable("VOICEBRIDGE_PUBLISHED_SERVER") is { Length: > 0 } existing)
            {
                CopyDirectory(existing, app);
            }
            else
            {
                await PublishAsync(app, cancellationToken);
            }

            MakeReadOnly(new DirectoryInfo(app));
            return app;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A fresh data directory owned by <see cref="Uid"/>, mode 0700 (only that user can read or write it).</summary>
    public string NewDataDirectory()
    {
        var data = Path.Combine(_root!, "data-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Run("chown", [$"{Uid}:{Uid}", data]);
        return data;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        // Root may delete below read-only directories; the tests only run as root.
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task PublishAsync(string output, CancellationToken cancellationToken)
    {
        var configuration = typeof(PublishedServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(Prerequisite.RepoRoot(), "src", "VoiceBridge.Server", "VoiceBridge.Server.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", configuration, "--no-build", "-o", output, "--nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed ({publish.ExitCode}):\n{await stdout}\n{await stderr}");
        Assert.True(File.Exists(Path.Combine(output, "VoiceBridge.Server.dll")), "no VoiceBridge.Server.dll in " + output);
    }

    private static void MakeReadOnly(DirectoryInfo directory)
    {
        const UnixFileMode readOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode traversable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            // Keeps execute bits (the apphost) but drops every write bit.
            file.UnixFileMode = readOnly | (file.UnixFileMode & traversable);
        }

        foreach (var sub in directory.EnumerateDirectories("*", SearchOption.AllDirectories).Append(directory))
        {
            sub.UnixFileMode = readOnly | traversable;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static void Run(string command, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { UseShellExecute = false, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed: {error}");
    }
}
