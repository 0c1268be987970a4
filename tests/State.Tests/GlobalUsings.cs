global using MobZ.TestKit;
