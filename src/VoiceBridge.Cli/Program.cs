using System.CommandLine;
using VoiceBridge.Cli.Audit;
using VoiceBridge.Cli.Call;
using VoiceBridge.Cli.Floor;
using VoiceBridge.Cli.Load;
using VoiceBridge.Cli.Simulator;
using VoiceBridge.Cli.SipCall;
using VoiceBridge.Cli.Watch;

var root = new RootCommand("voicebridge: try, load-test and audit a VoiceBridge server from the command line.");
root.Subcommands.Add(CallCommand.Create());
root.Subcommands.Add(SimulatorCommand.Create());
root.Subcommands.Add(SipCallCommand.Create());
root.Subcommands.Add(LoadCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(FloorCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
