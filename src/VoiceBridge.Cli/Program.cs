using System.CommandLine;

var root = new RootCommand("voicebridge: try, load-test and audit a VoiceBridge server from the command line.");
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
