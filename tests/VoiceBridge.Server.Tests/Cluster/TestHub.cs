using Microsoft.AspNetCore.SignalR;

namespace VoiceBridge.Server.Tests.Cluster;

/// <summary>A hub with nothing of its own: the test sends through its context.</summary>
public sealed class TestHub : Hub;
