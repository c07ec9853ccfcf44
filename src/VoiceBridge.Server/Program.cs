using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Upstream;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultListenAddress();
builder.AddHealth();
builder.AddUpstream();

var app = builder.Build();

app.MapHealth();

app.Run();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
