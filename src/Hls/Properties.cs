using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MobZ.Hls.Tests")]
[assembly: InternalsVisibleTo("MobZ.Bench")]
