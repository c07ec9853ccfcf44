namespace VoiceBridge.EndToEnd.Tests.Deployment;

/// <summary>
/// The built server in its own process with a configuration it must refuse: what an operator (or an orchestrator
/// reading the exit code) sees is one line naming the key and exit code 1, not a stack trace and an abort (134).
/// </summary>
public sealed class StartupCheckTests
{
    [Fact]
    public async Task ABadConfiguration_IsOneLogLineNamingTheKey_AndExitCode1()
    {
        // Production without a Twilio auth token: the boot must stop (signatures could not be checked).
        await using var bridge = BridgeProcess.Launch(
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Twilio__AuthToken"] = null,
                ["TWILIO_AUTH_TOKEN"] = null,
            },
            new BridgeLaunch());

        var exitCode = await bridge.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = bridge.Output;
        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Single(output.Split('\n'), line => line.Contains("Twilio:AuthToken", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Application started", output, StringComparison.Ordinal);
    }
}
