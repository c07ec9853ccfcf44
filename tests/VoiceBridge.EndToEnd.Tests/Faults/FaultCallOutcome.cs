extern alias cli;

using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>What the fake caller saw, and how many upstream sessions the bridge opened for the call.</summary>
internal sealed record FaultCallOutcome(FakeTwilioCallResult Result, int UpstreamConnects);
