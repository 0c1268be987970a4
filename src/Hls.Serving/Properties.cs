using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MobZ.Hls.Tests")]
[assembly: InternalsVisibleTo("MobZ.Bench")]
[assembly: InternalsVisibleTo("MobZ.Fuzz")]
