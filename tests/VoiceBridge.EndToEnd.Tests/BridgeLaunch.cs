namespace VoiceBridge.EndToEnd.Tests;

/// <summary>How <see cref="BridgeProcess"/> starts the server: which build, from where, as whom.</summary>
internal sealed record BridgeLaunch
{
    /// <summary>The folder holding VoiceBridge.Server.dll; default: the one beside the tests.</summary>
    public string? ServerDirectory { get; init; }

    /// <summary>The process's current directory; default: <see cref="ServerDirectory"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>A command that runs <c>dotnet …</c> as another user (e.g. <c>setpriv --reuid=…</c>); empty: as this process's user.</summary>
    public IReadOnlyList<string> RunAs { get; init; } = [];

    /// <summary>The loopback port to listen on; default: a free one (a restarted instance keeps its port behind a balancer).</summary>
    public int? Port { get; init; }
}
