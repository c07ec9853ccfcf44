namespace VoiceBridge.Server.Ops;

/// <summary>Which bridge instance a message comes from, and what it runs.</summary>
/// <param name="Id">Unique per process (the name and a random suffix): a page keys an instance's calls by it.</param>
/// <param name="Name">For people: <c>Ops:InstanceName</c> or the machine's name.</param>
/// <param name="Provider">The upstream: <c>Simulator</c>, <c>OpenAI</c>, <c>AzureOpenAI</c>, <c>Endpoint</c>.</param>
/// <param name="Model">The model the server policy asks for.</param>
/// <param name="SloMs">The first-audio budget per turn (<c>Telemetry:FirstAudioSloMs</c>).</param>
/// <param name="StartedAt">When this process started, Unix milliseconds.</param>
internal sealed record OpsInstance(string Id, string Name, string Provider, string Model, int SloMs, long StartedAt);
