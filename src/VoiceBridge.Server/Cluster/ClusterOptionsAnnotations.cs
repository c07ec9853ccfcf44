using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Cluster;

/// <summary>DataAnnotations on <see cref="ClusterOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class ClusterOptionsAnnotations : IValidateOptions<ClusterOptions>;
