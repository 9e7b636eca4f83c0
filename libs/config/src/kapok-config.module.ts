import { Global, Module } from '@nestjs/common';
import { KapokConfig, validateConfig } from './config.schema';

/** Typed access to the configuration, validated once at boot (a bad variable stops the process by name). */
export class AppConfig {
  constructor(private readonly values: KapokConfig) {}
  get<K extends keyof KapokConfig>(key: K): KapokConfig[K] {
    return this.values[key];
  }
}

@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => new AppConfig(validateConfig(process.env)) }],
  exports: [AppConfig],
})
export class KapokConfigModule {}
