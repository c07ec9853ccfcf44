using VoiceBridge.Server.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.UseDefaultListenAddress();
builder.AddHealth();

var app = builder.Build();

app.MapHealth();

app.Run();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
