import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Server-wide values that must survive restarts and be shared by instances (e.g. the SSH key). */
@Entity('server_settings')
export class ServerSettingEntity {
  @PrimaryColumn('varchar', { length: 64 })
  name!: string;

  @Column('text')
  value!: string;
}
